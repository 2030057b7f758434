"""thecal: intrathecal pain-pump therapy, from candidacy to years of pump care, with a digital twin."""

__all__ = ["__version__"]

__version__ = "0.1.0"
