// Browser-side defences sent with every response: a Content-Security-Policy that allows only the
// app's own files (plus the exact inline bootstrap script SvelteKit writes into index.html), no
// framing by other sites, no MIME sniffing and no referrer leaking to other origins.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The `<script>` elements without a src attribute: adapter-static inlines the app's start-up code in one. */
const INLINE_SCRIPT = /<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** CSP source expressions ('sha256-…') of the inline scripts of the page at `indexHtml`, in page order. */
export function inlineScriptHashes(indexHtml: string): string[] {
  if (!existsSync(indexHtml)) return [];
  const html = readFileSync(indexHtml, 'utf8');
  return [...html.matchAll(INLINE_SCRIPT)].map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src ${["'self'", ...scriptHashes].join(' ')}`,
    // CodeMirror and ECharts style their elements through style attributes and injected <style>
    // elements, and SvelteKit's shell wraps the app in a styled div: without this the editor and the charts break.
    "style-src 'self' 'unsafe-inline'",
    // ECharts can render to data: images, and downloads are offered from blob: URLs
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self' data:",
    // the outbox page previews emails in a sandboxed srcdoc iframe
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** Adds the headers to every reply; the hashes are read once from the web root's index.html. */
export function installSecurityHeaders(app: FastifyInstance, webRoot: string): void {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(inlineScriptHashes(join(webRoot, 'index.html'))),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(headers);
    return payload;
  });
}
