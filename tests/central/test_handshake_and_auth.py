"""Version handshake, 426 on every endpoint, login, refresh rotation, expiry and logout."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.central.server import CentralServer

pytestmark = pytest.mark.e2e


def _error(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_handshake_reports_versions_instance_and_high_water(shared_central_server: CentralServer) -> None:
    with shared_central_server.anonymous() as http:
        body = http.get("/v1/handshake").json()
    assert body["server"] == "workstation-central"
    assert body["api_version"] == "1"
    assert body["min_client_version"] == "0.1.0"
    assert len(body["instance_id"]) == 36
    assert body["high_water"] > 0  # the seed wrote reference data and tasks


def test_a_client_outside_the_supported_range_gets_426_everywhere(
    shared_central_server: CentralServer,
) -> None:
    with shared_central_server.client(headers={"X-Client-Version": "9.0.0"}) as http:
        for response in (
            http.get("/v1/handshake"),
            http.get("/v1/tasks"),
            http.post("/v1/auth/login", json={}),
            http.get("/v1/no-such-route"),
        ):
            assert response.status_code == 426
            error = response.json()["error"]
            assert error["code"] == "upgrade_required"
            assert "升级" in error["message"]
            assert error["details"]["max_client_version"] == "0.999.999"
    with shared_central_server.anonymous(headers={"X-Client-Version": "0.1.0"}) as http:
        assert http.get("/v1/handshake").status_code == 200
    with shared_central_server.anonymous(headers={"X-Client-Version": "latest"}) as http:
        response = http.get("/v1/handshake")
        assert response.status_code == 400 and _error(response) == "bad_request"


def test_login_and_me(shared_central_server: CentralServer) -> None:
    tokens = shared_central_server.login()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert tokens["officer"]["township_code"] == shared_central_server.township.code
    with shared_central_server.anonymous() as http:
        me = http.get("/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.json()["name"] == "张三"
        wrong = http.post(
            "/v1/auth/login", json={"username": "zhangsan", "password": "nope-nope", "device_id": "d"}
        )
        assert wrong.status_code == 401 and _error(wrong) == "invalid_credentials"
        assert "密码" in wrong.json()["error"]["message"]
        missing = http.get("/v1/auth/me")
        assert missing.status_code == 401 and _error(missing) == "invalid_token"
        bogus = http.get("/v1/auth/me", headers={"Authorization": "Bearer not-a-token"})
        assert bogus.status_code == 401 and _error(bogus) == "invalid_token"


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_login(
    shared_central_server: CentralServer,
) -> None:
    first = shared_central_server.login(device_id="tablet-7")
    with shared_central_server.anonymous() as http:
        other_device = http.post(
            "/v1/auth/refresh", json={"refresh_token": first["refresh_token"], "device_id": "tablet-8"}
        )
        assert other_device.status_code == 401 and _error(other_device) == "invalid_token"
        second = http.post(
            "/v1/auth/refresh", json={"refresh_token": first["refresh_token"], "device_id": "tablet-7"}
        )
        assert second.status_code == 200
        rotated = second.json()
        assert rotated["refresh_token"] != first["refresh_token"]
        assert http.get(
            "/v1/auth/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}
        ).is_success
        # The used refresh token comes back: the whole login is ended.
        reused = http.post(
            "/v1/auth/refresh", json={"refresh_token": first["refresh_token"], "device_id": "tablet-7"}
        )
        assert reused.status_code == 401 and _error(reused) == "invalid_token"
        after = http.get("/v1/auth/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
        assert after.status_code == 401
        again = http.post(
            "/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"], "device_id": "tablet-7"}
        )
        assert again.status_code == 401


def test_access_and_refresh_tokens_expire(central_server: CentralServer) -> None:
    tokens = central_server.login()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    with central_server.anonymous() as http:
        assert http.get("/v1/auth/me", headers=auth).is_success
        central_server.clock.advance(15 * 60 + 1)
        expired = http.get("/v1/auth/me", headers=auth)
        assert expired.status_code == 401 and _error(expired) == "token_expired"
        fresh = http.post(
            "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"], "device_id": "device-1"}
        )
        assert fresh.status_code == 200
        central_server.clock.advance(31 * 24 * 3600)
        late = http.post(
            "/v1/auth/refresh", json={"refresh_token": fresh.json()["refresh_token"], "device_id": "device-1"}
        )
        assert late.status_code == 401 and _error(late) == "token_expired"


def test_token_lifetime_is_configurable(tmp_path: Path) -> None:
    with CentralServer(tmp_path / "short", access_ttl=60) as server:
        tokens = server.login()
        assert tokens["expires_in"] == 60
        server.clock.advance(61)
        with server.anonymous() as http:
            response = http.get("/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert _error(response) == "token_expired"


def test_logout_revokes_access_and_refresh(shared_central_server: CentralServer) -> None:
    tokens = shared_central_server.login(device_id="pc-3")
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    with shared_central_server.anonymous() as http:
        assert http.post("/v1/auth/logout", headers=auth).status_code == 204
        assert http.get("/v1/auth/me", headers=auth).status_code == 401
        refresh = http.post(
            "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"], "device_id": "pc-3"}
        )
        assert refresh.status_code == 401


def test_malformed_and_invalid_bodies(shared_central_server: CentralServer) -> None:
    with shared_central_server.anonymous() as http:
        broken = http.post(
            "/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 400 and _error(broken) == "bad_request"
        invalid = http.post("/v1/auth/login", json={"username": "zhangsan"})
        assert invalid.status_code == 422 and _error(invalid) == "validation_error"
        assert "请求内容不符合要求" in invalid.json()["error"]["message"]
        assert invalid.json()["error"]["details"]["errors"]
        wrong_method = http.delete("/v1/handshake")
        assert wrong_method.status_code == 405 and _error(wrong_method) == "method_not_allowed"
        unknown = http.get("/v1/nothing-here")
        assert unknown.status_code == 404 and _error(unknown) == "not_found"
