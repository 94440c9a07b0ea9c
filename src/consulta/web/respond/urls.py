app_name = "respond"

urlpatterns: list = []
