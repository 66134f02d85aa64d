// Sign-in. Development: a pasted token signed with the local development key (the Run banner
// prints one; `intune-ops token` makes others). Production: OIDC authorization code + PKCE
// against the authority the gateway names in /admin-center/config; the gateway then accepts
// only that authority's tokens, so a pasted development token is refused there as well.

import { GraphError, readError } from './api';

export interface AdminCenterConfig {
  mode: 'development' | 'production';
  oidc?: { authority: string; clientId: string; scope: string; redirectPath: string };
}

export interface Session {
  token: string;
  tenantId: string;
  userPrincipalName: string | null;
  roles: string[];
  permissions: string[];
}

const tokenKey = 'intune-admin-center.token';
const pkceKey = 'intune-admin-center.pkce';

export async function loadConfig(): Promise<AdminCenterConfig> {
  const response = await fetch('/admin-center/config');
  if (!response.ok) throw await readError(response);
  return response.json();
}

/** Who the token belongs to and what its roles allow, as the gateway resolves them (custom roles included). */
export async function openSession(token: string): Promise<Session> {
  const response = await fetch('/admin-center/session', { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw await readError(response);
  const body = await response.json();
  sessionStorage.setItem(tokenKey, token);
  return { token, ...body };
}

export const storedToken = () => sessionStorage.getItem(tokenKey);
export const forgetToken = () => sessionStorage.removeItem(tokenKey);

const base64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const randomText = () => base64Url(crypto.getRandomValues(new Uint8Array(32)));

async function discover(authority: string) {
  const response = await fetch(`${authority.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new GraphError(response.status, 'OidcDiscovery', `The authority's discovery document could not be read (${response.status}).`);
  return (await response.json()) as { authorization_endpoint: string; token_endpoint: string };
}

export async function beginOidcSignIn(config: NonNullable<AdminCenterConfig['oidc']>) {
  const endpoints = await discover(config.authority);
  const verifier = randomText();
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = randomText();
  sessionStorage.setItem(pkceKey, JSON.stringify({ verifier, state, tokenEndpoint: endpoints.token_endpoint }));
  const redirectUri = new URL(config.redirectPath, location.origin).toString();
  const url = new URL(endpoints.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    nonce: randomText(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On the redirect path: trades the code for tokens (public client, so the verifier is the proof). */
export async function completeOidcSignIn(config: NonNullable<AdminCenterConfig['oidc']>): Promise<string> {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(pkceKey) ?? 'null') as { verifier: string; state: string; tokenEndpoint: string } | null;
  sessionStorage.removeItem(pkceKey);
  if (params.get('error')) throw new GraphError(401, params.get('error')!, params.get('error_description') ?? params.get('error')!);
  if (!pending || params.get('state') !== pending.state) throw new GraphError(401, 'OidcState', 'The sign-in answer does not match a sign-in started here; sign in again.');
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: new URL(config.redirectPath, location.origin).toString(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new GraphError(response.status, body.error ?? 'OidcToken', body.error_description ?? 'The authority did not issue an access token.');
  }
  history.replaceState(null, '', '/');
  return body.access_token as string;
}
