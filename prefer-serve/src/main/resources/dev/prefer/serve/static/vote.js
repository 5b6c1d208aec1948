// The voting page. Talks to the JSON API with the session's CSRF token; never evaluates model output: plain text
// goes in with textContent, Markdown arrives already sanitised on the server (and the page's CSP forbids inline
// script besides).
(function () {
  'use strict';
  const app = document.getElementById('app');
  const campaign = app.dataset.campaign;
  const markdown = app.dataset.render === 'markdown';
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const buttons = Array.from(document.querySelectorAll('.buttons button'));
  const status = document.getElementById('status');
  const reveal = document.getElementById('reveal');
  const count = document.getElementById('vote-count');
  const rationale = document.getElementById('rationale');
  let current = null;
  let busy = false;

  function put(id, value) {
    const el = document.getElementById(id);
    if (markdown) el.innerHTML = value; else el.textContent = value;
  }

  function show(next) {
    current = next;
    put('prompt', next.prompt);
    put('response-left', next.left);
    put('response-right', next.right);
    document.querySelectorAll('select[data-attr]').forEach(function (s) { s.value = ''; });
    if (rationale) rationale.value = '';
    buttons.forEach(function (b) { b.disabled = false; });
    app.dataset.comparison = next.comparisonId;
    busy = false;
  }

  async function call(path, body) {
    const res = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Accept': 'application/json' },
      body: JSON.stringify(body || {})
    });
    const data = await res.json().catch(function () { return { error: 'bad response' }; });
    if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
    return data;
  }

  async function vote(outcome) {
    if (busy || !current) return;
    busy = true;
    buttons.forEach(function (b) { b.disabled = true; });
    status.textContent = '';
    const attributes = {};
    document.querySelectorAll('select[data-attr]').forEach(function (s) {
      if (s.value === '') return;
      attributes[s.dataset.attr] = attributes[s.dataset.attr] || {};
      attributes[s.dataset.attr][s.dataset.side] = parseInt(s.value, 10);
    });
    try {
      const r = await call('/api/campaigns/' + campaign + '/votes', {
        comparisonId: current.comparisonId, outcome: outcome, attributes: attributes,
        rationale: rationale ? rationale.value : null
      });
      const chose = { left: 'A', right: 'B', tie: 'a tie', both_bad: 'both bad' }[r.outcome];
      reveal.textContent = 'You chose ' + chose + '. A was ' + r.reveal.left + ', B was ' + r.reveal.right + '.';
      reveal.hidden = false;
      count.textContent = r.votes;
      show(r.next);
    } catch (e) {
      status.textContent = e.message;
      buttons.forEach(function (b) { b.disabled = false; });
      busy = false;
    }
  }

  buttons.forEach(function (b) { b.addEventListener('click', function () { vote(b.dataset.outcome); }); });
  document.addEventListener('keydown', function (e) {
    const t = e.target;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.tagName === 'SELECT')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    const outcome = { a: 'left', arrowleft: 'left', '1': 'left', b: 'right', arrowright: 'right', '2': 'right',
                      t: 'tie', '3': 'tie', x: 'both_bad', '4': 'both_bad' }[k];
    if (outcome) { e.preventDefault(); vote(outcome); }
  });

  call('/api/campaigns/' + campaign + '/next').then(function (r) { show(r.next); })
    .catch(function (e) { status.textContent = e.message; });
})();
