// The browser half of report.html: draws every chart of results.json with Chart.js and fills the
// sample browser. Plain ES2020 run as a classic script after chart.umd.js; it reads its data from
// the JSON script tags and never touches the network. Model text is inserted as textContent only.
;(function () {
  'use strict'
  var results = JSON.parse(document.getElementById('bonbench-results').textContent)
  var samples = JSON.parse(document.getElementById('bonbench-samples').textContent)
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

  function el(tag, attrs, text) {
    var node = document.createElement(tag)
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k])
    if (text !== undefined) node.textContent = text
    return node
  }

  function pct(v) {
    return (100 * v).toFixed(1)
  }

  // The charts whose values are rates (pass@N, Bo-N accuracy), shown as percentages; the others
  // (training loss, mean reward, a selection rule's mean reward) are values of their own unit.
  var rateKinds = ['bon-curve', 'pass-curve', 'difficulty', 'co-scaling', 'frontier']

  function tooltipLabel(kind) {
    var rate = rateKinds.indexOf(kind) >= 0
    var show = function (v) {
      return rate ? pct(v) + '%' : String(Number(v.toPrecision(4)))
    }
    return function (ctx) {
      var p = ctx.raw
      var text = ctx.dataset.label + ': (' + p.x + ', ' + show(p.y) + ')'
      if (p.low !== undefined && p.high !== undefined) text += ' CI ' + (rate ? pct(p.low) + '–' + pct(p.high) + '%' : show(p.low) + '–' + show(p.high))
      if (p.label) text = p.label + ' — ' + text
      return text
    }
  }

  function drawChart(chart, index) {
    var section = document.getElementById('charts-' + chart.kind)
    var figure = el('figure', { class: 'chart' })
    figure.appendChild(el('figcaption', null, chart.title))
    var holder = el('div', { class: 'canvas-holder' })
    var canvas = el('canvas', { id: 'chart-' + chart.id, 'data-chart-id': chart.id, role: 'img', 'aria-label': chart.title })
    holder.appendChild(canvas)
    figure.appendChild(holder)
    section.appendChild(figure)
    var datasets = chart.series.map(function (s, i) {
      var color = palette[i % palette.length]
      return {
        label: s.label,
        data: s.points.map(function (p) {
          return Object.assign({}, p)
        }),
        borderColor: color,
        backgroundColor: color,
        showLine: s.style !== 'scatter',
        borderDash: s.style === 'fit' ? [6, 4] : [],
        // Long training curves read better as plain lines; the points are still in the dataset.
        pointRadius: s.style === 'fit' || (s.style === 'line' && s.points.length > 60) ? 0 : s.style === 'scatter' ? 3 : 2,
        borderWidth: s.style === 'scatter' ? 0 : 2,
        fill: false,
        tension: 0,
      }
    })
    var logX = chart.xScale === 'log2'
    var nValues = []
    chart.series.forEach(function (s) {
      if (s.style === 'fit') return
      s.points.forEach(function (p) {
        if (nValues.indexOf(p.x) < 0) nValues.push(p.x)
      })
    })
    nValues.sort(function (a, b) {
      return a - b
    })
    new Chart(canvas, {
      type: 'scatter',
      data: { datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: tooltipLabel(chart.kind) } },
        },
        scales: {
          x: {
            type: logX ? 'logarithmic' : 'linear',
            title: { display: true, text: chart.xLabel },
            // Ticks at the N values themselves (1, 2, 4, …), not Chart.js's decades.
            afterBuildTicks: logX
              ? function (axis) {
                  axis.ticks = nValues.map(function (v) {
                    return { value: v }
                  })
                }
              : undefined,
            ticks: logX
              ? {
                  callback: function (v) {
                    return String(v)
                  },
                }
              : {},
          },
          y: { title: { display: true, text: chart.yLabel } },
        },
      },
    })
    return index
  }

  results.charts.forEach(drawChart)
  ;['bon-curve', 'pass-curve', 'selection-curve', 'frontier', 'training', 'difficulty', 'co-scaling'].forEach(function (kind) {
    var section = document.getElementById('charts-' + kind)
    if (section && !section.querySelector('canvas')) section.appendChild(el('p', { class: 'empty' }, 'No data for this view in this run.'))
  })

  // Sample browser: one cell, one prompt at a time.
  var cellSelect = document.getElementById('browser-cell')
  var promptSelect = document.getElementById('browser-prompt')
  var table = document.getElementById('browser-table')
  var summary = document.getElementById('browser-summary')

  function fillPrompts() {
    var cell = samples.cells[Number(cellSelect.value)]
    promptSelect.textContent = ''
    if (!cell) return
    cell.prompts.forEach(function (p, i) {
      var correct = p.samples.filter(function (s) {
        return s.correct
      }).length
      promptSelect.appendChild(el('option', { value: String(i) }, p.promptId + ' (' + correct + '/' + p.samples.length + ' correct)'))
    })
  }

  function showPool() {
    var cell = samples.cells[Number(cellSelect.value)]
    var tbody = table.querySelector('tbody')
    tbody.textContent = ''
    if (!cell || cell.prompts.length === 0) {
      summary.textContent = 'No pools were journaled for this run.'
      return
    }
    var pool = cell.prompts[Number(promptSelect.value)] || cell.prompts[0]
    var correct = pool.samples.filter(function (s) {
      return s.correct
    }).length
    var picks = pool.samples.filter(function (s) {
      return s.picked
    })
    summary.textContent =
      pool.promptId +
      ': ' +
      pool.samples.length +
      ' samples, ' +
      correct +
      ' correct; the verifier picks ' +
      picks.length +
      ' sample(s) with the top score' +
      (picks.length
        ? ' (' +
          picks.filter(function (s) {
            return s.correct
          }).length +
          ' of them correct)'
        : '')
    pool.samples.forEach(function (s, i) {
      var row = el('tr', { class: (s.correct ? 'correct' : 'wrong') + (s.picked ? ' picked' : '') })
      row.appendChild(el('td', null, String(i + 1)))
      row.appendChild(el('td', null, (s.picked ? '★ pick ' : '') + (s.correct ? '✓' : '✗')))
      row.appendChild(el('td', null, String(s.reward)))
      row.appendChild(el('td', null, Number(s.score).toPrecision(4)))
      row.appendChild(el('td', null, s.answer === undefined ? '' : s.answer))
      var textCell = el('td', { class: 'text' })
      textCell.appendChild(el('pre', null, s.text))
      row.appendChild(textCell)
      tbody.appendChild(row)
    })
  }

  samples.cells.forEach(function (c, i) {
    cellSelect.appendChild(el('option', { value: String(i) }, c.label + ' (' + c.prompts.length + ' prompts)'))
  })
  cellSelect.addEventListener('change', function () {
    fillPrompts()
    showPool()
  })
  promptSelect.addEventListener('change', showPool)
  fillPrompts()
  showPool()
  document.body.setAttribute('data-ready', 'true')
})()
