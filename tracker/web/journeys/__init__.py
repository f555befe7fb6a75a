"""The journey map pages: the map as a picture with its friction and fixes, the line-up of a
customer and an employee map, and the workshop-board CSV import."""
