"""The programme as a whole: the home page figures, the root-cause Pareto, the priority matrix."""
