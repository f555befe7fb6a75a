"""The success metric pages: a map's metrics, one metric, and the forms that change them."""
