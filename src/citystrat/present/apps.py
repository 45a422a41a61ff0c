from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresentConfig(AppConfig):
    name = "citystrat.present"
    label = "present"
    verbose_name = _("Presentation")

    def ready(self) -> None:
        from django.conf.locale import LANG_INFO

        # Languages Django does not know: Filipino (tl; browsers may send "fil") and
        # やさしい日本語, a register of Japanese with its own URL prefix.
        LANG_INFO.setdefault(
            "tl", {"bidi": False, "code": "tl", "name": "Filipino", "name_local": "Filipino"}
        )
        LANG_INFO.setdefault("fil", {"fallback": ["tl"]})
        LANG_INFO.setdefault(
            "ja-easy",
            {
                "bidi": False,
                "code": "ja-easy",
                "name": "Easy Japanese",
                "name_local": "やさしい日本語",
            },
        )
