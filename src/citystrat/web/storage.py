"""Static files storage: whitenoise's compressed manifest storage, without source maps.

File names carry a hash of their content (served with a far-future, immutable
Cache-Control) and get brotli and gzip copies.  Django would also rewrite the
``sourceMappingURL`` comments of CSS and JavaScript files, which fails for the
vendored files shipped without their source maps; those comments are left as
they are (only browsers' developer tools read them).

Before static files are collected (a process started without ``make setup``
or ``citystrat serve``, a benchmark, a shell), pages still render: a name the
manifest does not hold keeps its plain name, as without hashing.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _no_source_maps(rules: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(r for r in rules if "sourceMappingURL" not in (r if isinstance(r, str) else r[0]))


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    patterns = tuple(
        (glob, _no_source_maps(rules))
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
    )

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # not collected (yet): the plain name
            return name
