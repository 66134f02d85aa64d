// The admin center's only way to the service: the Graph-compatible REST API under /v1.0.
// Errors surface as Graph's own `error.message`, so the admin reads what the API said.

export interface GraphCollection<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

export class GraphError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let bearer: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setBearer(token: string | null, unauthorized?: () => void) {
  bearer = token;
  onUnauthorized = unauthorized ?? null;
}

/** A path under /v1.0 (`/deviceManagement/...`) or an absolute @odata.nextLink as the API returned it. */
export async function graph<T>(pathOrUrl: string, init: RequestInit = {}): Promise<T> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `/v1.0${pathOrUrl}`;
  const headers = new Headers(init.headers);
  if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  headers.set('client-request-id', crypto.randomUUID());
  const response = await fetch(url, { ...init, headers });
  if (!response.ok) {
    const error = await readError(response);
    if (response.status === 401) onUnauthorized?.();
    throw error;
  }

  if (response.status === 204) return undefined as T;
  const type = response.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

export async function readError(response: Response): Promise<GraphError> {
  try {
    const body = await response.json();
    if (body?.error?.message) return new GraphError(response.status, body.error.code ?? '', body.error.message);
  } catch {
    // Not Graph's envelope (a proxy, a crash): fall through to the status line.
  }
  return new GraphError(response.status, String(response.status), `${response.status} ${response.statusText || 'request failed'}`);
}

export const post = <T>(path: string, body?: unknown) =>
  graph<T>(path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
export const patch = <T>(path: string, body: unknown) => graph<T>(path, { method: 'PATCH', body: JSON.stringify(body) });
export const del = (path: string) => graph<void>(path, { method: 'DELETE' });

/** Builds `path?$filter=…&$top=…` leaving out empty options; values are encoded once. */
export function query(path: string, options: Record<string, string | number | boolean | undefined | null>): string {
  const parts = Object.entries(options)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

/** OData string literal: single quotes doubled. */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
