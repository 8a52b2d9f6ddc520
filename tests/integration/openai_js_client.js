// Drives `remask serve` with the official OpenAI JavaScript client (npm `openai`), which no
// one here wrote: a real client must work unchanged. Usage: node openai_js_client.js PORT
// Prints one JSON object with what it saw; exits non-zero on an unexpected failure.
const path = require('path');
const nodeDir = process.env.REMASK_NODE_DIR;
const OpenAI = require(path.join(nodeDir, 'node_modules', 'openai')).default;

async function main() {
    const port = process.argv[2];
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
    const seen = {};

    const models = await client.models.list();
    seen.models = models.data.map((m) => m.id);

    const one = await client.chat.completions.create({
        model: seen.models[0],
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello.' }],
        max_tokens: 6,
        temperature: 0,
        seed: 5,
    });
    seen.single = {
        content: one.choices[0].message.content,
        role: one.choices[0].message.role,
        finish_reason: one.choices[0].finish_reason,
        usage: one.usage,
    };

    const concurrent = await Promise.all(
        [1, 2, 3, 4].map((i) =>
            client.chat.completions.create({
                model: seen.models[0],
                messages: [{ role: 'user', content: `Question ${i}` }],
                max_tokens: 4,
                seed: i,
            })
        )
    );
    seen.concurrent = concurrent.map((c) => c.choices[0].message.content);

    try {
        await client.chat.completions.create({ model: seen.models[0], messages: 'not a list' });
        seen.bad_request = { status: 'no error' };
    } catch (e) {
        seen.bad_request = { status: e.status, message: e.error && e.error.message };
    }
    console.log(JSON.stringify(seen));
}

main().catch((e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
});
