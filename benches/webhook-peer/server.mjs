// The peer for the webhook ingest benchmark: Shopify's official Node library validates each
// delivery in an express server, which stores it in SQLite (better-sqlite3, WAL,
// synchronous=NORMAL) with the same dedupe as Seglink (one row per event id and topic), before
// it answers. Configured from the environment by benches/webhooks.py:
//   PORT, DATABASE (a file path), SHOPIFY_API_KEY, SHOPIFY_API_SECRET
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, shopifyApi } from '@shopify/shopify-api';
import Database from 'better-sqlite3';
import express from 'express';

const shopify = shopifyApi({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey: process.env.SHOPIFY_API_SECRET,
  scopes: [],
  hostName: 'localhost',
  apiVersion: ApiVersion.October26,
  isEmbeddedApp: true,
  logger: { level: 0 },
});

const db = new Database(process.env.DATABASE);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS webhook_inbox (
  event_id TEXT NOT NULL, topic TEXT NOT NULL, shop TEXT NOT NULL, webhook_id TEXT NOT NULL,
  api_version TEXT NOT NULL, triggered_at TEXT, body BLOB NOT NULL, received_at INTEGER NOT NULL,
  PRIMARY KEY (event_id, topic))`);
const insert = db.prepare(`INSERT INTO webhook_inbox
  (event_id, topic, shop, webhook_id, api_version, triggered_at, body, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, topic) DO NOTHING`);

const app = express();
app.post('/webhooks', express.text({ type: '*/*', limit: '5mb' }), async (req, res) => {
  const check = await shopify.webhooks.validate({ rawBody: req.body, rawRequest: req, rawResponse: res });
  if (!check.valid) {
    res.status(check.reason === 'invalid_hmac' ? 401 : 400).json({ error: check.reason });
    return;
  }
  const stored = insert.run(
    check.eventId ?? check.webhookId,
    check.topic,
    check.domain,
    check.webhookId,
    check.apiVersion,
    check.triggeredAt ?? null,
    Buffer.from(req.body),
    Math.floor(Date.now() / 1000),
  );
  res.json({ duplicate: stored.changes === 0 });
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`peer listening on 127.0.0.1:${process.env.PORT}`));
