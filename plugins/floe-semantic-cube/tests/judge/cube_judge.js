// Cube's own data-model compiler (@cubejs-backend/schema-compiler, pinned by
// scripts/setup node) as the judge of floe-semantic-cube's generated data model.
//
// Reads one JSON request on stdin, writes one JSON answer on stdout:
//
//   {"models": [{"id": "generated", "dir": "<dir holding model/ and cube.js>",
//                "queries": [{"id": "q", "query": {...}, "security_context": {...} | null}]}]}
//   -> {"schema_compiler": "0.33.65",
//       "models": {"generated": {"compiled": true, "cubes": {"orders": ["orders.count", ...]},
//                                "queries": {"q": {"rewritten": {...}, "app_id": "...",
//                                                  "sql": "...", "params": [...]}
//                                               | {"error": "..."}}}
//                  | {"compiled": false, "error": "Compile errors: ..."}}}
//
// A model is compiled with prepareCompiler (every .yml/.yaml/.js file under model/). For a
// query with a security context, the model's cube.js is loaded with require() and its
// queryRewrite and contextToAppId run on it, as Cube's API gateway runs them; the
// (rewritten) query is then turned into SQL by PostgresQuery, Cube's Postgres dialect.

const fs = require("fs");
const path = require("path");
const { prepareCompiler, PostgresQuery } = require("@cubejs-backend/schema-compiler");
const { version } = require("@cubejs-backend/schema-compiler/package.json");

const modelFiles = (root) => {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (/\.(ya?ml|js)$/.test(entry.name)) {
        files.push({ fileName: path.relative(root, file), content: fs.readFileSync(file, "utf8") });
      }
    }
  };
  walk(path.join(root, "model"));
  return files;
};

const message = (error) => String((error && error.message) || error);

const answerQuery = async (compilers, dir, { query, security_context: securityContext }) => {
  let rewritten = query;
  let appId = null;
  try {
    if (securityContext !== null && securityContext !== undefined) {
      const config = require(path.join(dir, "cube.js"));
      rewritten = await config.queryRewrite(structuredClone(query), { securityContext });
      appId = config.contextToAppId({ securityContext });
    }
    const sqlQuery = new PostgresQuery(compilers, { timezone: "UTC", ...rewritten });
    const [sql, params] = sqlQuery.buildSqlAndParams();
    return { rewritten, app_id: appId, sql, params };
  } catch (error) {
    return { error: message(error) };
  }
};

const judgeModel = async ({ dir, queries }) => {
  const files = modelFiles(dir);
  const repository = { localPath: () => dir, dataSchemaFiles: () => Promise.resolve(files) };
  const compilers = prepareCompiler(repository, { adapter: "postgres" });
  try {
    await compilers.compiler.compile();
  } catch (error) {
    return { compiled: false, error: message(error) };
  }
  const cubes = {};
  for (const [name, cube] of Object.entries(compilers.cubeEvaluator.evaluatedCubes)) {
    cubes[name] = ["dimensions", "measures", "segments"].flatMap((kind) =>
      Object.keys(cube[kind] || {}).map((member) => `${name}.${member}`),
    );
  }
  const answers = {};
  for (const question of queries || []) {
    answers[question.id] = await answerQuery(compilers, dir, question);
  }
  return { compiled: true, cubes, queries: answers };
};

const main = async () => {
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  const models = {};
  for (const model of request.models) {
    models[model.id] = await judgeModel(model);
  }
  process.stdout.write(JSON.stringify({ schema_compiler: version, models }));
};

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
