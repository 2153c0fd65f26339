"""The peer of the demo API: FastAPI + PyJWT, written as their docs show,
doing the same checks on the same tokens (typ at+jwt, RS256/PS256/ES256
signature from the provider's JWKS, iss, aud, exp/nbf with 30 s leeway,
required claims, client_id, scope api:read).

With PEER_TOKEN_CACHE=N, verified tokens are kept as the Python way would:
functools.lru_cache on the token (N entries), with exp checked again on
every request, as ours does with its cache on."""

import functools
import os
import time

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ISSUER = "http://127.0.0.1:9000"
AUDIENCE = "http://127.0.0.1:3000"

jwks_client = jwt.PyJWKClient(f"{ISSUER}/jwks", cache_keys=True)
bearer = HTTPBearer()
app = FastAPI()


def invalid_token(description: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=description,
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'},
    )


def verified_claims(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    return verify(credentials.credentials)


def verify(token: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("typ", "").lower() not in ("at+jwt", "application/at+jwt"):
            raise invalid_token("the token is not an access token (typ)")
        signing_key = jwks_client.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256", "PS256", "ES256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=30,
            options={"require": ["exp", "iss", "aud", "sub", "iat", "jti"]},
        )
    except jwt.PyJWTError as error:
        raise invalid_token(str(error)) from error
    if "client_id" not in claims:
        raise invalid_token("the access token lacks a required claim")
    return claims


CACHE_SIZE = int(os.environ.get("PEER_TOKEN_CACHE", "0"))
if CACHE_SIZE:
    verify_in_full = functools.lru_cache(maxsize=CACHE_SIZE)(verify)

    def verify(token: str) -> dict:  # noqa: F811 (the cached form)
        claims = verify_in_full(token)
        if claims["exp"] + 30 < time.time():
            raise invalid_token("the access token has expired")
        return claims


@app.get("/api/greeting")
def greeting(claims: dict = Depends(verified_claims)) -> dict:
    scopes = claims.get("scope", "").split()
    if "api:read" not in scopes:
        raise HTTPException(
            status_code=403,
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="api:read"'},
        )
    return {
        "message": f"Hello, {claims['sub']}! The API verified your access token.",
        "subject": claims["sub"],
        "client_id": claims["client_id"],
        "scopes": scopes,
        "token_expires_at": claims["exp"],
        "server_time": int(time.time()),
    }
