"""The lead's report: figures from the store (figures.py, no plotting), charts drawn by
pygal (charts.py, the optional `report` extra) and the self-contained page (page.py)."""
