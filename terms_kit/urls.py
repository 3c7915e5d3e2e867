"""Public URLs of terms-kit (client pages come with the acceptance feature)."""

app_name = "terms_kit"
urlpatterns = []
