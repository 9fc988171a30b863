// The pull request comment of one stack's preview (preview.yml): a marker to find it again,
// the outcome, the monthly estimate (`scripts/cost --from-output`, docs/cost.md) above the
// diff. A module of its own so tests render it with node (tests/team/test_cost.py).
const LIMIT = 60000;

function commentBody(stack, outcome, cost, preview) {
  const marker = `<!-- riva-tir preview: ${stack} -->`;
  let text = preview || "(no output)";
  if (text.length > LIMIT) text = "…(truncated)\n" + text.slice(-LIMIT);
  const icon = outcome === "success" ? "✅" : "❌";
  const estimate = cost.trim() || "_No monthly estimate: the preview failed before pricing the stack._";
  return `${marker}\n${estimate}\n\n### ${icon} \`pulumi preview\` of stack \`${stack}\`\n\n\`\`\`diff\n${text}\n\`\`\``;
}

module.exports = { commentBody };
