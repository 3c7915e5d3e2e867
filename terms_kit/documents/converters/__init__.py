from .base import BaseConverter, ConversionError, ConverterUnavailable, get_converter

__all__ = ["BaseConverter", "ConversionError", "ConverterUnavailable", "get_converter"]
