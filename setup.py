"""The one compiled part: the reader's character pass and word grouping
(parsers/payslip/_glyphs.c).

Everything else is in pyproject.toml. The extension calls PDFium through the function
addresses pypdfium2 has loaded, so it needs only a C compiler and Python's headers.
Optional: without a compiler the install still succeeds and the reader runs the same
loops in Python, slower (``assistant run`` says so when it starts).
``-ffp-contract=off``: no fused multiply-add, so its arithmetic rounds as Python's does
(the references in words.py and word_groups.py, held equal by
tests/unit/parsers/test_glyphs_c.py)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "parsers.payslip._glyphs", ["parsers/payslip/_glyphs.c"],
    extra_compile_args=["-O2", "-ffp-contract=off"], optional=True)])
