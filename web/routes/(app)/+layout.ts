// Every page inside (app) needs a session: ask the server who we are, or go to sign-in.
import { error, redirect } from '@sveltejs/kit';
import { ApiError, loginUrl } from '$lib/api';
import { session } from '$lib/session.svelte';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, url }) => {
  let user;
  try {
    user = await session.check(fetch);
  } catch (err) {
    if (err instanceof ApiError) error(err.status || 503, err.message);
    throw err;
  }
  if (!user) redirect(307, loginUrl(url));
  return { user };
};
