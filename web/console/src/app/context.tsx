// The one ApiClient of the app, provided by context so tests can give their own.
import { createContext, useContext } from 'react';
import { ApiClient } from '../api/client';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

let shared: ApiClient | null = null;
export function sharedApi(): ApiClient {
  shared ??= new ApiClient();
  return shared;
}
