"""bluekit: the campaign toolkit of the Belgian Blue Heart Campaign against human trafficking."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bluekit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
