/**
 * The .crit grammar as a Chevrotain CST parser with error recovery. The CST is turned into the typed
 * AST by parse.ts; this file only says what sequences of tokens are valid.
 *
 * Statements need no separator (each begins with a keyword); `;` is accepted anywhere between them.
 */
import { chevrotain, type CstNode, type TokenType } from './chevrotain';
import * as T from './lexer';
import { critErrorMessages } from './syntaxMessages';

const { CstParser } = chevrotain;

class CritCstParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: 'none',
      errorMessageProvider: critErrorMessages,
      maxLookahead: 3,
    });
    this.performSelfAnalysis();
  }

  file = this.RULE('file', () => {
    this.MANY(() => this.SUBRULE(this.landscape));
  });

  landscape = this.RULE('landscape', () => {
    this.CONSUME(T.Landscape);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.landscapeItem));
    this.CONSUME(T.RCurly);
  });

  landscapeItem = this.RULE('landscapeItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.seedStatement) },
      { ALT: () => this.SUBRULE(this.networkBlock) },
      { ALT: () => this.SUBRULE(this.dataBlock) },
      { ALT: () => this.SUBRULE(this.weightsDeclaration) },
      { ALT: () => this.SUBRULE(this.criticalDeclaration) },
      { ALT: () => this.SUBRULE(this.objectiveStatement) },
      { ALT: () => this.SUBRULE(this.plotStatement) },
      { ALT: () => this.SUBRULE(this.exportStatement) },
      { ALT: () => this.SUBRULE(this.probeBlock) },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]);
  });

  /**
   * A statement starting with a name instead of a keyword (`dat { ... }`, `layr 8 tanh`): read as a
   * whole, braces balanced, so a misspelt keyword costs one diagnostic (with a suggestion) instead
   * of derailing the rest of the block.
   */
  unknownStatement = this.RULE('unknownStatement', () => {
    this.CONSUME(T.Identifier, { LABEL: 'word' });
    this.MANY(() => {
      this.OR(UNKNOWN_STATEMENT_TAIL.map((token) => ({ ALT: () => this.CONSUME2(token) })));
    });
    this.OPTION(() => this.SUBRULE(this.balancedBlock));
  });

  balancedBlock = this.RULE('balancedBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.balancedBlock) }, ...NON_BRACE_TOKENS.map((token) => ({ ALT: () => this.CONSUME(token) }))]);
    });
    this.CONSUME(T.RCurly);
  });

  seedStatement = this.RULE('seedStatement', () => {
    this.CONSUME(T.Seed);
    this.SUBRULE(this.signedNumber, { LABEL: 'value' });
  });

  // ---- network ----
  networkBlock = this.RULE('networkBlock', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.networkItem));
    this.CONSUME(T.RCurly);
  });

  networkItem = this.RULE('networkItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStatement) },
      { ALT: () => this.SUBRULE(this.layerStatement) },
      { ALT: () => this.SUBRULE(this.outputStatement) },
      { ALT: () => this.SUBRULE(this.biasStatement) },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]);
  });

  inputStatement = this.RULE('inputStatement', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.NumberLiteral, { LABEL: 'width' });
  });

  layerStatement = this.RULE('layerStatement', () => {
    this.CONSUME(T.Layer);
    this.CONSUME(T.NumberLiteral, { LABEL: 'width' });
    this.CONSUME(T.Identifier, { LABEL: 'activation' });
  });

  outputStatement = this.RULE('outputStatement', () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.NumberLiteral, { LABEL: 'width' });
    this.OPTION(() => this.CONSUME(T.Identifier, { LABEL: 'activation' }));
  });

  biasStatement = this.RULE('biasStatement', () => {
    this.CONSUME(T.Bias);
    this.OR([{ ALT: () => this.CONSUME(T.On) }, { ALT: () => this.CONSUME(T.Off) }]);
  });

  // ---- data ----
  dataBlock = this.RULE('dataBlock', () => {
    this.CONSUME(T.Data);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.dataItem));
    this.CONSUME(T.RCurly);
  });

  dataItem = this.RULE('dataItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.pointsStatement) },
      { ALT: () => this.SUBRULE(this.inputsStatement) },
      { ALT: () => this.SUBRULE(this.labelsStatement) },
      { ALT: () => this.SUBRULE(this.fixedStatement) },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]);
  });

  pointsStatement = this.RULE('pointsStatement', () => {
    this.CONSUME(T.Points);
    this.CONSUME(T.NumberLiteral, { LABEL: 'count' });
  });

  inputsStatement = this.RULE('inputsStatement', () => {
    this.CONSUME(T.Inputs);
    this.OR([{ ALT: () => this.SUBRULE(this.call) }, { ALT: () => this.SUBRULE(this.fileReference) }]);
  });

  labelsStatement = this.RULE('labelsStatement', () => {
    this.CONSUME(T.Labels);
    this.SUBRULE(this.labelTerm);
    this.MANY(() => {
      this.CONSUME(T.Plus);
      this.SUBRULE2(this.labelTerm);
    });
  });

  labelTerm = this.RULE('labelTerm', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.call) }, { ALT: () => this.SUBRULE(this.fileReference) }]);
  });

  fixedStatement = this.RULE('fixedStatement', () => {
    this.CONSUME(T.Fixed);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.First);
          this.CONSUME(T.NumberLiteral, { LABEL: 'count' });
        },
      },
      { ALT: () => this.SUBRULE(this.fileReference) },
    ]);
  });

  fileReference = this.RULE('fileReference', () => {
    this.CONSUME(T.File);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
  });

  // ---- weights ----
  weightsDeclaration = this.RULE('weightsDeclaration', () => {
    this.CONSUME(T.Weights);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.weightExpression);
  });

  /** A linear combination: term (('+' | '-') term)*. */
  weightExpression = this.RULE('weightExpression', () => {
    this.OPTION(() => this.CONSUME(T.Minus, { LABEL: 'leadingMinus' }));
    this.SUBRULE(this.weightTerm);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: 'operator' }) }, { ALT: () => this.CONSUME2(T.Minus, { LABEL: 'operator' }) }]);
      this.SUBRULE2(this.weightTerm);
    });
  });

  /** [number '*'] atom. */
  weightTerm = this.RULE('weightTerm', () => {
    this.OPTION(() => {
      this.CONSUME(T.NumberLiteral, { LABEL: 'coefficient' });
      this.CONSUME(T.Star);
    });
    this.SUBRULE(this.weightAtom);
  });

  weightAtom = this.RULE('weightAtom', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.SUBRULE(this.fileReference) },
      { ALT: () => this.SUBRULE(this.arrayLiteral) },
      { ALT: () => this.SUBRULE(this.explicitWeights) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'reference' }) },
    ]);
  });

  /** { W0 = [[...]]; b0 = [...]; ... } */
  explicitWeights = this.RULE('explicitWeights', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.explicitEntry) },
        { ALT: () => this.CONSUME(T.Semicolon) },
        { ALT: () => this.CONSUME(T.Comma) },
      ]);
    });
    this.CONSUME(T.RCurly);
  });

  explicitEntry = this.RULE('explicitEntry', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.arrayLiteral);
  });

  arrayLiteral = this.RULE('arrayLiteral', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arrayElement) });
    this.CONSUME(T.RBracket);
  });

  arrayElement = this.RULE('arrayElement', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.signedNumber) }, { ALT: () => this.SUBRULE(this.arrayLiteral) }]);
  });

  /**
   * A named function with optional arguments: normal(0, 1), uniform(-1, 1), grid(-2, 2), teacher(A),
   * noise(0.1), zeros, glorot, he, permute(A, layer 1, [2, 0, 1]). Unknown names parse too, so
   * validation can suggest the right one.
   */
  call = this.RULE('call', () => {
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.functionName);
          this.OPTION(() => this.SUBRULE(this.callArguments));
        },
      },
      {
        // Unknown function names need their parentheses, so a bare name stays a weight reference.
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'unknownName' });
          this.SUBRULE2(this.callArguments);
        },
      },
    ]);
  });

  callArguments = this.RULE('callArguments', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
    this.CONSUME(T.RParen);
  });

  functionName = this.RULE('functionName', () => {
    this.OR(FUNCTION_KEYWORDS.map((token) => ({ ALT: () => this.CONSUME(token) })));
  });

  argument = this.RULE('argument', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.signedNumber) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'reference' }) },
      { ALT: () => this.SUBRULE(this.arrayLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.Layer);
          this.CONSUME(T.NumberLiteral, { LABEL: 'layerIndex' });
        },
      },
    ]);
  });

  signedNumber = this.RULE('signedNumber', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
  });

  // ---- critical points ----
  criticalDeclaration = this.RULE('criticalDeclaration', () => {
    this.CONSUME(T.Critical);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => this.SUBRULE(this.criticalItem));
      this.CONSUME(T.RCurly);
    });
  });

  criticalItem = this.RULE('criticalItem', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Hessian);
          this.SUBRULE(this.hessianTarget);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Margin);
          this.CONSUME(T.NumberLiteral, { LABEL: 'margin' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Sharpness);
          this.CONSUME2(T.NumberLiteral, { LABEL: 'sharpness' });
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]);
  });

  hessianTarget = this.RULE('hessianTarget', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Minimum) },
      { ALT: () => this.CONSUME(T.Maximum) },
      { ALT: () => this.CONSUME(T.Any) },
      {
        ALT: () => {
          this.CONSUME(T.Saddle);
          this.CONSUME(T.LParen);
          this.CONSUME(T.NumberLiteral, { LABEL: 'index' });
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  objectiveStatement = this.RULE('objectiveStatement', () => {
    this.CONSUME(T.Objective);
    this.OR([
      { ALT: () => this.CONSUME(T.Closest) },
      {
        ALT: () => {
          this.CONSUME(T.MinLoss);
          this.CONSUME(T.At);
          this.CONSUME(T.Identifier, { LABEL: 'point' });
        },
      },
    ]);
  });

  // ---- plots and exports ----
  plotStatement = this.RULE('plotStatement', () => {
    this.CONSUME(T.Plot);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Interpolate);
          this.CONSUME(T.Identifier, { LABEL: 'point' });
          this.CONSUME(T.Arrow);
          this.CONSUME2(T.Identifier, { LABEL: 'point' });
          this.SUBRULE(this.plotOptions);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Plane);
          this.CONSUME3(T.Identifier, { LABEL: 'point' });
          this.CONSUME4(T.Identifier, { LABEL: 'point' });
          this.CONSUME5(T.Identifier, { LABEL: 'point' });
          this.SUBRULE2(this.plotOptions);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Directions);
          this.CONSUME6(T.Identifier, { LABEL: 'point' });
          this.CONSUME(T.Random);
          this.CONSUME(T.NumberLiteral, { LABEL: 'directionCount' });
          this.SUBRULE3(this.plotOptions);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Spectrum);
          this.CONSUME7(T.Identifier, { LABEL: 'point' });
        },
      },
      { ALT: () => this.CONSUME(T.Dataset) },
    ]);
  });

  plotOptions = this.RULE('plotOptions', () => {
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.From);
            this.SUBRULE(this.signedNumber, { LABEL: 'from' });
            this.CONSUME(T.To);
            this.SUBRULE2(this.signedNumber, { LABEL: 'to' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Steps);
            this.CONSUME(T.NumberLiteral, { LABEL: 'steps' });
          },
        },
      ]);
    });
  });

  // ---- optimizer probes ----
  probeBlock = this.RULE('probeBlock', () => {
    this.CONSUME(T.Probe);
    this.OPTION(() => this.CONSUME(T.Identifier, { LABEL: 'name' }));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.probeItem));
    this.CONSUME(T.RCurly);
  });

  probeItem = this.RULE('probeItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.optimizerStatement) },
      { ALT: () => this.SUBRULE(this.batchSetting) },
      { ALT: () => this.SUBRULE(this.startsStatement) },
      {
        ALT: () => {
          this.CONSUME(T.Steps);
          this.CONSUME(T.NumberLiteral, { LABEL: 'steps' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Seed);
          this.SUBRULE(this.signedNumber, { LABEL: 'seed' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Escape);
          this.MANY({ GATE: this.settingFollows, DEF: () => this.SUBRULE(this.probeSetting) });
        },
      },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]);
  });

  /** optimizer NAME (KEY VALUE)*: optimizer and hyperparameter names are checked by validation. */
  optimizerStatement = this.RULE('optimizerStatement', () => {
    this.CONSUME(T.Optimizer);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.MANY({ GATE: this.settingFollows, DEF: () => this.SUBRULE(this.probeSetting) });
  });

  /** `KEY VALUE` ahead, not a misspelt statement keyword starting the next statement (`optimzer sgd`). */
  private readonly settingFollows = (): boolean => {
    const next = this.LA(2).tokenType;
    return next === T.NumberLiteral || next === T.Minus;
  };

  probeSetting = this.RULE('probeSetting', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.SUBRULE(this.signedNumber, { LABEL: 'value' });
  });

  /** batch full | N [, full | N ...]: every optimizer runs with each batch size listed. */
  batchSetting = this.RULE('batchSetting', () => {
    this.CONSUME(T.Batch);
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => this.OR([{ ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'size' }) }, { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'size' }) }]),
    });
  });

  /** starts N around NAME [radius R] [direction random | eigen negative | eigen positive | stable] */
  startsStatement = this.RULE('startsStatement', () => {
    this.CONSUME(T.Starts);
    this.CONSUME(T.NumberLiteral, { LABEL: 'count' });
    this.CONSUME(T.Around);
    this.CONSUME(T.Identifier, { LABEL: 'center' });
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Radius);
            this.CONSUME2(T.NumberLiteral, { LABEL: 'radius' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Direction);
            this.OR2([
              { ALT: () => this.CONSUME(T.Random, { LABEL: 'direction' }) },
              {
                ALT: () => {
                  this.CONSUME2(T.Identifier, { LABEL: 'direction' });
                  // A second word only after `eigen` (LA(0) is the token just consumed); after any other
                  // direction a name starts the next (misspelt) statement.
                  this.OPTION({ GATE: () => this.LA(0).image === 'eigen', DEF: () => this.CONSUME3(T.Identifier, { LABEL: 'direction' }) });
                },
              },
            ]);
          },
        },
      ]);
    });
  });

  exportStatement = this.RULE('exportStatement', () => {
    this.CONSUME(T.Export);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier, { LABEL: 'format' }) });
    });
  });
}

/** Keywords that name functions in expressions (plus any identifier, so misspellings still parse). */
export const FUNCTION_KEYWORDS: TokenType[] = [
  T.Normal,
  T.Uniform,
  T.Grid,
  T.Teacher,
  T.Noise,
  T.Zeros,
  T.Glorot,
  T.He,
  T.Permute,
];

/** What may follow the name of an unknown statement: values, never a keyword that starts a statement. */
const UNKNOWN_STATEMENT_TAIL: TokenType[] = [T.Identifier, T.NumberLiteral, T.Minus, T.On, T.Off, T.Minimum, T.Maximum, T.Any];

const NON_BRACE_TOKENS: TokenType[] = T.ALL_TOKENS.filter(
  (t) => t !== T.LCurly && t !== T.RCurly && t !== T.WhiteSpace && t !== T.LineComment && t !== T.BlockComment && t !== T.UnterminatedComment && t !== T.UnterminatedString,
);

/** The single parser instance: Chevrotain parsers are expensive to build and meant to be reused. */
export const critParser = new CritCstParser();
export type CritCstRoot = CstNode;
