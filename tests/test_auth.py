"""Local accounts: argon2 hashes only, roles, admin-only management, OIDC e-mail mapping."""

from __future__ import annotations

import stat

import pytest

from tzcld.auth import (
    AccountError,
    account_for_email,
    add_account,
    authenticate,
    load_accounts,
)
from tzcld.ledger.permissions import Account, PermissionDenied
from tzcld.runtime import Settings

PASSWORD = "un-mot-de-passe-solide"


def test_default_file_is_in_the_data_dir_and_configurable(_isolated_data_dir, monkeypatch, tmp_path):
    monkeypatch.delenv("TZCLD_ACCOUNTS_FILE", raising=False)
    assert Settings.from_env().accounts_file == _isolated_data_dir / "accounts.toml"
    monkeypatch.setenv("TZCLD_ACCOUNTS_FILE", str(tmp_path / "x.toml"))
    assert Settings.from_env().accounts_file == tmp_path / "x.toml"


def test_password_is_hashed_never_stored(tmp_path):
    path = tmp_path / "accounts.toml"
    add_account("Anne", PASSWORD, "porteur", "liege", "Anne", path=path)
    content = path.read_text()
    assert PASSWORD not in content
    assert "$argon2id$" in content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    account = authenticate("anne", PASSWORD, path)
    assert account == Account("anne", "porteur", "liege", "Anne")
    assert authenticate("anne", "wrong-password", path) is None
    assert authenticate("nobody", PASSWORD, path) is None


def test_account_rules(tmp_path):
    path = tmp_path / "accounts.toml"
    with pytest.raises(AccountError, match="trop court"):
        add_account("anne", "court", "porteur", "liege", path=path)
    with pytest.raises(AccountError, match="territoire"):
        add_account("anne", PASSWORD, "porteur", "atlantis", path=path)
    with pytest.raises(AccountError, match="Rôle"):
        add_account("anne", PASSWORD, "chef", None, path=path)
    add_account("anne", PASSWORD, "porteur", "liege", path=path)
    with pytest.raises(AccountError, match="existe déjà"):
        add_account("anne", PASSWORD, "porteur", "liege", path=path)
    add_account("anne", PASSWORD + "2", "admin", "liege", path=path, replace=True)
    assert load_accounts(path)["anne"].role == "admin"
    assert load_accounts(path)["anne"].territory is None
    assert authenticate("anne", PASSWORD, path) is None


def test_only_admins_manage_accounts(tmp_path):
    path = tmp_path / "accounts.toml"
    with pytest.raises(PermissionDenied):
        add_account("eve", PASSWORD, "admin", path=path, actor=Account("bob", "porteur", "seraing"))
    assert not path.exists()
    add_account("eve", PASSWORD, "porteur", "seraing", path=path, actor=Account("root", "admin"))
    assert "eve" in load_accounts(path)


def test_oidc_accounts_map_by_email(tmp_path):
    path = tmp_path / "accounts.toml"
    with pytest.raises(AccountError, match="e-mail"):
        add_account("claire", None, "admin", path=path)
    add_account("claire", None, "porteur", "gembloux", email="Claire@Example.org", path=path)
    account = account_for_email("claire@example.org", path)
    assert account is not None and account.role == "porteur" and account.territory == "gembloux"
    assert account.username == "claire"  # recorded as entered_by: the account, not the e-mail
    assert account_for_email("  CLAIRE@example.org ", path) == account
    assert account_for_email("stranger@example.org", path) is None
    assert authenticate("claire", "", path) is None  # no password: OIDC only


def test_remove_account(tmp_path):
    from tzcld.auth import remove_account

    path = tmp_path / "accounts.toml"
    add_account("anne", PASSWORD, "porteur", "liege", path=path)
    add_account("root", PASSWORD, "admin", path=path)
    with pytest.raises(PermissionDenied):
        remove_account("root", path=path, actor=Account("anne", "porteur", "liege"))
    with pytest.raises(AccountError, match="propre compte"):
        remove_account("root", path=path, actor=Account("root", "admin"))
    remove_account("anne", path=path, actor=Account("root", "admin"))
    assert set(load_accounts(path)) == {"root"}
    assert authenticate("anne", PASSWORD, path) is None
    with pytest.raises(AccountError, match="Aucun compte"):
        remove_account("anne", path=path)
