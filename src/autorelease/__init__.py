"""autorelease: conventional commits in, a safe and resumable release out."""

__version__ = "0.1.0"
