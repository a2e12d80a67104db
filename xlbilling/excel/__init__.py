"""The Excel face: the Excel functions (UDFs) and their cell handling, the ribbon's Import report, and the add-in builder and installer."""
