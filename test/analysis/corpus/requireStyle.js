// A JavaScript file that loads pyflow with require.
const { GraphBuilder } = require('pyflow');

function square(x) {
  return x * x;
}
const sum = function (a, b) {
  return a + b;
};

const G = new GraphBuilder({ alias: 'js' });
const s1 = G.add(square)(3);
const s2 = G.add(square)(4);
const total = G.add(sum, { alias: 'total' })(s1, s2);
module.exports = { total };
