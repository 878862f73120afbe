import ivm from 'isolated-vm'
const iso = new ivm.Isolate({ memoryLimit: 32 })
async function run(code, opts = {}) {
  const ctx = await iso.createContext()
  const t = Date.now()
  try {
    const s = await iso.compileScript(code, { filename: 'candidate.js' })
    const r = await s.run(ctx, { timeout: 200, promise: true, copy: true, ...opts })
    return ['ok', r, Date.now() - t]
  } catch (e) { return ['err', e?.constructor?.name, String(e?.message).slice(0, 200), Date.now() - t, iso.isDisposed] }
  finally { ctx.release() }
}
let ticks = 0; const iv = setInterval(() => ticks++, 10)
console.log(await run('async function f(){ throw new Error("boom") }; f(); 1'))
console.log(await run('Promise.reject(new Error("x")); 2'))
console.log(await run('async function t(){ throw new TypeError("y") } t()'))
console.log(await run('new Promise(()=>{})', { timeout: 200 }))
console.log(await run('while(true){}'), 'ticks', ticks)
console.log(await run('1+', {}))
console.log(await run('typeof process + typeof require + typeof setTimeout + typeof console'))
console.log(await run('globalThis.constructor.constructor("return typeof process")()'))
console.log(await run('let a=[]; while(true) a.push(new Array(1e5).fill(1))'), iso.isDisposed)
clearInterval(iv)
