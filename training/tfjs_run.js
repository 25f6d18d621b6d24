// Run a TF.js graph model with TensorFlow.js's own pure-JavaScript CPU backend: the reference
// that training/test_convert_detector.py holds the PyTorch conversion against.
//
//   NODE_PATH=~/.cache/whatcar/node/node_modules node training/tfjs_run.js MODEL_DIR NAME REQUEST.json
//
// REQUEST.json: {"inputs": [{"file": raw float32, "shape": [...]}], "outputs": [node names],
// "nms": {"max": n, "iou": t, "score": s, "classes": [c, ...]}}. Each output of each input is
// written as raw float32 next to the input file (<file>.<k>.out), and with "nms" the detections
// (x1, y1, x2, y2, score, class rows) of the listed classes kept by tf.image.nonMaxSuppression go
// to <file>.nms.json.
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfconv = require('@tensorflow/tfjs-converter');

async function main() {
  const [modelDir, name, requestPath] = process.argv.slice(2);
  const request = JSON.parse(fs.readFileSync(requestPath, 'utf8'));
  await tf.setBackend('cpu');
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, `${name}.json`), 'utf8'));
  const buffers = manifest.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(modelDir, p))));
  const weightData = Buffer.concat(buffers);
  const handler = {
    load: async () => ({
      modelTopology: manifest.modelTopology,
      weightSpecs: manifest.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
      format: manifest.format,
      generatedBy: manifest.generatedBy,
      convertedBy: manifest.convertedBy,
      signature: manifest.signature,
    }),
  };
  const model = await tfconv.loadGraphModel(handler);
  for (const input of request.inputs) {
    const raw = fs.readFileSync(input.file);
    const x = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), input.shape, 'float32');
    let outs = await model.executeAsync(x, request.outputs);
    if (!Array.isArray(outs)) outs = [outs];
    for (let k = 0; k < outs.length; k++) {
      fs.writeFileSync(`${input.file}.${k}.out`, Buffer.from((await outs[k].data()).buffer));
    }
    if (request.nms) {
      const det = (await outs[0].array())[0].filter((d) => request.nms.classes.includes(d[5]));
      let kept = [];
      if (det.length > 0) {
        const boxes = det.map((d) => [d[1], d[0], d[3], d[2]]);
        const scores = det.map((d) => d[4]);
        const keep = await tf.image.nonMaxSuppressionAsync(boxes, scores, request.nms.max, request.nms.iou,
                                                           request.nms.score);
        kept = Array.from(await keep.data()).map((i) => det[i]);
      }
      fs.writeFileSync(`${input.file}.nms.json`, JSON.stringify(kept));
    }
    tf.dispose([x, ...outs]);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
