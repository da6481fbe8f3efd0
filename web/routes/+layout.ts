// Vigil's web client is a single-page app: nothing is rendered on the server or prerendered.
// Fastify serves build/ and answers every unknown path with the fallback index.html.
export const ssr = false;
export const prerender = false;
