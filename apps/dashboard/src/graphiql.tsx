// GraphiQL from the bundle, not from a CDN (the api serves this page at GET /graphql when
// introspection is on). Monaco's workers are bundled by Vite through this import.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { storedKey } from './api/session';

const url = new URL('/graphql', window.location.href).toString();
const fetcher = createGraphiQLFetcher({ url, subscriptionUrl: url.replace(/^http/, 'ws') });
// Signed in to the dashboard in this tab: start with its key in the headers editor.
const key = storedKey();
const defaultHeaders = JSON.stringify({ authorization: key ? `Bearer ${key}` : 'Bearer <API key>' }, null, 2);

createRoot(document.getElementById('graphiql')!).render(<GraphiQL fetcher={fetcher} defaultHeaders={defaultHeaders} />);
