// What kg's sigma.js pages use (kg/resources/view-sigma.js reads window.kgSigmaLib): the renderer,
// its thin-line program for large graphs, the graph, and ForceAtlas2 both in a web worker (made from
// a blob: URL of its own code) and in the page.
import Graph from "graphology";
import Sigma from "sigma";
import { EdgeLineProgram, NodePointProgram } from "sigma/rendering";
import forceAtlas2 from "graphology-layout-forceatlas2";
import FA2Layout from "graphology-layout-forceatlas2/worker";

window.kgSigmaLib = { Graph: Graph, Sigma: Sigma, EdgeLineProgram: EdgeLineProgram, NodePointProgram: NodePointProgram,
                      forceAtlas2: forceAtlas2,
                      FA2Layout: FA2Layout };
