"""icihub: the information system of NATO's Istanbul Cooperation Initiative
and its NATO-ICI Regional Centre in Kuwait."""

__version__ = "0.1.0"
