"""Test and demo media composed from real photographs: clips and rendered plates.

Shared by the tests, the benchmarks and the example project's demo; not part of the wheel.
Importable from the root of the checkout (the example project's ``manage.py`` puts it on
the path).
"""
