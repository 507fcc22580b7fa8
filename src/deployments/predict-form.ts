/**
 * A minimal page for a person to try a prediction: one field per feature, an
 * optional API key, the answer shown below. No external assets and no inline
 * script (the page's CSP allows scripts from this server only).
 */
import type { ServingEntry } from './deployed-models';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function formPage(id: string, entry: ServingEntry | null): string {
  if (!entry) return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><h1>No deployment ${escapeHtml(id)}</h1></body></html>`;
  const { deployment, champion } = entry;
  const fields = champion.artifact.features
    .map((feature) => {
      const name = escapeHtml(feature.name);
      const options = feature.categories ? `<datalist id="list-${name}">${feature.categories.map((c) => `<option value="${escapeHtml(c)}">`).join('')}</datalist>` : '';
      const type = feature.kind === 'numeric' ? 'text" inputmode="decimal' : 'text';
      return `<p><label for="f-${name}">${name} (${feature.kind})</label><br><input id="f-${name}" name="${name}" data-kind="${feature.kind}" type="${type}"${feature.categories ? ` list="list-${name}"` : ''}>${options}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Try ${escapeHtml(deployment.name)}</title><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Try deployment ${escapeHtml(deployment.name)}</h1>
<p>Version ${champion.number}, ${deployment.status}, ${deployment.approvalStatus.replace('_', ' ')}; access: ${deployment.access}.</p>
<form id="predict-form" data-deployment="${escapeHtml(deployment.id)}">
${fields}
<p><label for="api-key">API key or token (not needed for public deployments)</label><br><input id="api-key" type="password" autocomplete="off"></p>
<p><button type="submit">Predict</button></p>
</form>
<h2>Answer</h2>
<pre id="answer" aria-live="polite"></pre>
</main>
<script src="/deployments/form.js"></script>
</body>
</html>`;
}

/** The form's behaviour: empty fields are sent as null (unknown), numeric ones as numbers. */
export const FORM_SCRIPT = `'use strict';
(function () {
  var form = document.getElementById('predict-form');
  var answer = document.getElementById('answer');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var row = {};
    form.querySelectorAll('input[data-kind]').forEach(function (input) {
      var value = input.value.trim();
      row[input.name] = value === '' ? null : input.dataset.kind === 'numeric' && !isNaN(Number(value)) ? Number(value) : value;
    });
    var headers = { 'content-type': 'application/json' };
    var key = document.getElementById('api-key').value.trim();
    if (key) headers.authorization = 'Bearer ' + key;
    answer.textContent = '...';
    fetch('/api/deployments/' + encodeURIComponent(form.dataset.deployment) + '/predict', { method: 'POST', headers: headers, body: JSON.stringify({ row: row }) })
      .then(function (response) { return response.json(); })
      .then(function (body) { answer.textContent = JSON.stringify(body, null, 2); })
      .catch(function (err) { answer.textContent = String(err); });
  });
})();
`;
