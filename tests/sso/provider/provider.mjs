// A real OpenID Connect provider (the npm package oidc-provider) for Jejak's single sign-on tests.
// Started by tests/sso/conftest.py with its settings in the environment; it listens on 127.0.0.1 only.
// The only thing not a stock provider is the interaction: the test "user" names the subject that logs in
// (GET /interaction/<uid>?login=<subject>), and consent to the client's scopes is given at once.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PROVIDER_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.PROVIDER_ACCOUNTS || '{}');

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.PROVIDER_CLIENT_ID,
    client_secret: process.env.PROVIDER_CLIENT_SECRET,
    redirect_uris: [process.env.PROVIDER_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'nip', 'groups'] },
  conformIdTokenClaims: false, // the profile claims ride in the ID token, as Keycloak sends them
  findAccount: async (ctx, sub) => (accounts[sub]
    ? { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) } : undefined),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['jejak-test-provider-cookie-key'] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
});

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)$/);
  if (!match || req.method !== 'GET') {
    provider.callback()(req, res);
    return;
  }
  try {
    const { params } = await provider.interactionDetails(req, res);
    const accountId = url.searchParams.get('login');
    const grant = new provider.Grant({ accountId, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
