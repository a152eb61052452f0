from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from motcua.core.auth import api_token_forget
        from motcua.core.models import ApiToken

        # A revoked token, or a user deactivated, must not stay usable from this process's cache.
        post_save.connect(
            lambda sender, instance, **kw: api_token_forget(key_hash=instance.key_hash),
            sender=ApiToken,
            weak=False,
            dispatch_uid="motcua.api_token_forget",
        )
        post_save.connect(
            lambda sender, **kw: api_token_forget(),
            sender=get_user_model(),
            weak=False,
            dispatch_uid="motcua.api_token_forget_user",
        )

        from django.core.signals import got_request_exception

        from motcua.core.middleware import outage_remember

        # An outage met by an inner middleware becomes 503/507 too (core.middleware.OutageMiddleware).
        got_request_exception.connect(outage_remember, dispatch_uid="motcua.outage_remember")
