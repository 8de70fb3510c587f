"""How the service process sets itself up."""

import platform

import pytest

from counterflow.api.app import _fewer_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")
def test_the_service_caps_malloc_arenas_on_glibc():
    assert _fewer_malloc_arenas(2) is True  # mallopt answered 1: the cap is set
