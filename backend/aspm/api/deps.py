"""FastAPI dependencies: the request's unit of work and the settings."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import SYSTEM, Principal
from aspm.db.session import unit_of_work
from aspm.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessionmaker(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_sessionmaker)]


def get_principal() -> Principal:
    """The caller. Provisional until authentication lands (issue 5): everyone acts as the system."""
    return SYSTEM


PrincipalDep = Annotated[Principal, Depends(get_principal)]
