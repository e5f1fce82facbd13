from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.openid.provider import OpenIDProvider

urlpatterns = default_urlpatterns(OpenIDProvider)
