// A real OpenID Connect provider standing in for an eID broker in the tests.
//
// Env: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated).
// Who signs in next is set by the test: POST /test/next-login with JSON
// {"sub", "acr", "municipality_code", "clock_offset"}; the sign-in then completes
// without a form, as a broker does once the person has used their eID app.
// clock_offset (seconds) moves the provider's clock while it issues tokens, so a
// test can be handed an ID token that expired long ago, signed like any other.
import http from "node:http";

let clockOffsetMs = 0;
let issuing = false;
const realNow = Date.now;
Date.now = () => realNow() + (issuing ? clockOffsetMs : 0);

const { default: Provider } = await import("oidc-provider");

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
let next = { sub: "person-1", acr: "substantial", municipality_code: "0751" };
const people = new Map();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(","),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  acrValues: ["low", "substantial", "high"],
  claims: { openid: ["sub"], residence: ["municipality_code"] },
  scopes: ["openid", "residence"],
  // The residence claim travels in the ID token itself, as the platform reads it there.
  conformIdTokenClaims: false,
  pkce: { required: () => false },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ["test-only-cookie-key"] },
  ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Interaction: 3600, Grant: 3600 },
  async findAccount(_ctx, sub) {
    const person = people.get(sub);
    if (!person) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, municipality_code: person.municipality_code };
      },
    };
  },
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === "login") {
    people.set(next.sub, next);
    const result = { login: { accountId: next.sub, acr: next.acr } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  grant.addOIDCScope("openid residence");
  grant.addOIDCClaims(["municipality_code"]);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
http
  .createServer(async (req, res) => {
    try {
      if (req.method === "POST" && req.url === "/test/next-login") {
        let body = "";
        for await (const chunk of req) body += chunk;
        const wanted = JSON.parse(body);
        clockOffsetMs = Number(wanted.clock_offset || 0) * 1000;
        next = { sub: wanted.sub, acr: wanted.acr, municipality_code: wanted.municipality_code };
        res.writeHead(204).end();
        return;
      }
      if (req.url.startsWith("/interaction/")) {
        await interaction(req, res);
        return;
      }
      // Only the token endpoint runs on the moved clock: the phone's cookies stay valid.
      issuing = req.url.startsWith("/token");
      res.on("finish", () => {
        issuing = false;
      });
      callback(req, res);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  })
  .listen(port, "127.0.0.1", () => console.log(`listening on ${issuer}`));
