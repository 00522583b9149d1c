// A small SVG line chart of the training loss by step, redrawn as points arrive; the step axis
// stretches to the steps so far, so the curve fills the chart however long the run is set to be.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640, HEIGHT = 220;
const MARGIN = { left: 48, right: 12, top: 12, bottom: 28 };

export class LossChart {
  private points: { step: number; loss: number }[] = [];

  constructor(private readonly svg: SVGSVGElement) {}

  reset(): void {
    this.points = [];
    this.draw();
  }

  add(step: number, loss: number): void {
    if (Number.isFinite(loss)) this.points.push({ step, loss });
    this.draw();
  }

  private draw(): void {
    const svg = this.svg;
    svg.replaceChildren();
    const maxLoss = Math.max(1e-6, ...this.points.map((p) => p.loss));
    const lastStep = Math.max(1, this.points.at(-1)?.step ?? 1);
    const x = (step: number) => MARGIN.left + ((WIDTH - MARGIN.left - MARGIN.right) * step) / lastStep;
    const y = (loss: number) => MARGIN.top + (HEIGHT - MARGIN.top - MARGIN.bottom) * (1 - loss / maxLoss);
    const add = (tag: string, attributes: Record<string, string | number>, text?: string) => {
      const node = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
      if (text !== undefined) node.textContent = text;
      svg.append(node);
    };
    add("line", { class: "axis", x1: MARGIN.left, y1: HEIGHT - MARGIN.bottom, x2: WIDTH - MARGIN.right, y2: HEIGHT - MARGIN.bottom });
    add("line", { class: "axis", x1: MARGIN.left, y1: MARGIN.top, x2: MARGIN.left, y2: HEIGHT - MARGIN.bottom });
    add("text", { x: 4, y: MARGIN.top + 10 }, maxLoss.toFixed(2));
    add("text", { x: 4, y: HEIGHT - MARGIN.bottom }, "0");
    add("text", { x: WIDTH - MARGIN.right, y: HEIGHT - 8, "text-anchor": "end" }, `step ${lastStep}`);
    add("text", { x: MARGIN.left + 6, y: HEIGHT - 8 }, "loss per character (nats)");
    this.svg.dataset.losses = this.points.map((p) => p.loss.toPrecision(4)).join(" ");
    if (this.points.length) {
      add("polyline", { class: "curve", points: this.points.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(" ") });
    }
  }
}
