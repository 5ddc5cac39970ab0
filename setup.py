"""A shim for tools that still run ``python setup.py``: ``scrapyd-deploy`` builds the egg it
uploads to Scrapyd with ``python setup.py bdist_egg`` (and writes a setup.py of its own, which
would leave out the data files, when there is none). Everything is declared in pyproject.toml.
"""

from setuptools import setup

setup()
