"""Request and response models of single sign-on."""

from pydantic import BaseModel


class SsoOption(BaseModel):
    name: str  # the provider as the button names it: "Sign in with <name>"
    login_url: str  # GET it (a navigation, not fetch): it redirects to the provider


class SignInOptionsRead(BaseModel):
    local_login: bool  # false: the password form is for the break-glass admins only
    sso: SsoOption | None  # None: single sign-on is not configured


class SignOutRead(BaseModel):
    # where to send the browser to sign out at the provider too; None: nothing more to do
    end_session_url: str | None
