// A real OpenID Connect provider for the login tests: the npm package oidc-provider on
// loopback, with one client (the site), PKCE required, RP-initiated logout, and accounts
// whose eduperson_entitlement claims play EGI Check-in's.
// Usage: node oidc_provider.mjs PORT REDIRECT_URI POST_LOGOUT_URI
import Provider from "oidc-provider";

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const ACCOUNTS = {
  ann: { name: "Ann Assigner", email: "ann@example.org",
         eduperson_entitlement: ["urn:mace:egi.eu:group:dmsu:role=assigner#aai.egi.eu"] },
  rob: { name: "Rob Resolver", email: "rob@example.org",
         eduperson_entitlement: ["urn:mace:egi.eu:group:other#aai.egi.eu",
                                 "urn:mace:egi.eu:group:dmsu:role=member#aai.egi.eu"] },
  pat: { name: "Pat Nobody", email: "pat@example.org",
         eduperson_entitlement: ["urn:mace:egi.eu:group:other#aai.egi.eu"] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: "dmsu-desk",
    client_secret: "test-only-client-secret",
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    response_types: ["code"],
    grant_types: ["authorization_code"],
  }],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  scopes: ["openid", "profile", "email", "eduperson_entitlement"],
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username"],
    email: ["email"],
    eduperson_entitlement: ["eduperson_entitlement"],
  },
  cookies: { keys: ["test-only-cookie-key"] },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...account };
      },
    };
  },
});
provider.listen(Number(port), "127.0.0.1", () => {
  console.log("ready");
});
