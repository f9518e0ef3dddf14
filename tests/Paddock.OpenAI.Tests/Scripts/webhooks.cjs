// A receiver's side of the OpenAI face's webhooks, written as for OpenAI's own (developers.openai.com, guide "Webhooks":
// `new OpenAI({ webhookSecret })`, then `client.webhooks.unwrap(rawBody, headers)` verifies and parses the event).
//   node webhooks.cjs DELIVERIES.json
// DELIVERIES.json: [{"headers": {...}, "body": "raw body"}, ...] as a receiver got them; WEBHOOK_SECRET is the endpoint's
// secret. Prints one JSON line per delivery: the unwrapped event and the video its data.id names (retrieved with the
// SDK); then one line for the first delivery with its body altered, which unwrap must refuse.
const OpenAI = require("openai");
const fs = require("fs");

const client = new OpenAI({ webhookSecret: process.env.WEBHOOK_SECRET });
const say = (step, value) => console.log(JSON.stringify({ step, ...value }));

async function main(file) {
  const deliveries = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const [n, d] of deliveries.entries()) {
    const event = await client.webhooks.unwrap(d.body, d.headers);
    const video = await client.videos.retrieve(event.data.id);
    say(`delivery${n}`, { event, video });
  }
  const first = deliveries[0];
  try {
    await client.webhooks.unwrap(first.body.replace('"object":"event"', '"object":"evenT"'), first.headers);
    say("tampered", { accepted: true });
  } catch (e) {
    say("tampered", { accepted: false, kind: e.constructor.name, message: e.message });
  }
}

main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
