from icihub.core.admin import register_app

register_app("notifications")
