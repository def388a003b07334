// Grafted graphs as groups: each graph shows what it uses of another as that graph's group, nested above the
// grafted graph's own groups (prep/cleaning), grafts of grafts nested again (report/model/prep).
import { GraphBuilder } from 'pyflow';

const adding = (a: number, b: number) => a + b;

const prep = new GraphBuilder({ alias: 'prep' });
const cleaned = prep.add(adding, { group: 'cleaning' })(1, 2);
const scaled = prep.add(adding)(cleaned, 3);
prep.add(adding)(scaled, 4);

const model = new GraphBuilder({ alias: 'model' });
const fit = model.add(adding, { group: 'fit' })(scaled, 1);
const score = model.add(adding)(fit, cleaned);

const report = new GraphBuilder({ alias: 'report' });
report.add(adding, { group: 'tables' })(score, cleaned);
