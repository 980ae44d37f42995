const ADJECTIVES = (
  'agile alert amber ample apish aural azure balmy bared beady bland blond bluff bogus bonny bosky boxed brash brisk broad ' +
  'burly cagey canny chewy civic clean close comfy coral corny cozy crack crisp curly cushy dandy deism dizzy dopey ' +
  'dozen dusty eager early edged faint false fancy feral fetid fiery fishy fleet focal fond foxy frail funny fussy ' +
  'gamey gaudy giddy gimpy glial gooey grave gummy hairy handy hardy hazel heady hefty hilly hoary holey hyoid icky ' +
  'inert jaggy jammy jolly jumpy keyed khaki known lanky laced leady leggy lemon lithe loony lousy lucid lumpy lurid ' +
  'mated mazed merry messy milky minty mirky misty moody mossy mushy muted naive nasty natal newsy nitid noble nutty ' +
  'oaken oared olden oncer other oxide peaty perky pesky petty piney pithy plain plumy poppy prime prize proud pudgy ' +
  'quack quiet rainy randy ready regal rival roily rough round rusty sandy saucy scaly seamy seedy sepia shaky sharp ' +
  'showy silky slaty sleek slick snowy solid sooty spiky stale stoic sunny surgy swell tabby tangy tawny terse tidal ' +
  'timid tonic tough trite ultra undue urban vague vapid vital vocal wacky wanted weary white windy witty woozy zingy'
).split(' ');

const NOUNS = (
  'abbe abet acre aide alga alms ante apse arch area aria army arts atom aunt auto axis baby bail bait bale band bank ' +
  'barb bard barn base bass bath beam bean bear beef bell belt bend bile bill bird bite blob blot boar boat body bola ' +
  'bolt bond bone book boom boot bore boss bowl brad bran brie brim buck bulb bull bump bunk buoy burr bush butt cafe ' +
  'cake calf call camp cant cape card carp cart case cask cell chap chef chin chip chop cite clam clan claw clay clip ' +
  'club coal coat coda coil coin cola colt cone cook cord cork corn cost crab crew crib crop crow cube curb cusp dado ' +
  'dame date deal dean deck deer dell demo dent desk dhal dial dice diet dike dime dirt disc dish dock doge doll dome ' +
  'door dory dose dove down drag draw drop drug drum duck duct dune dusk duty ease east echo edge eddy epic euro exam ' +
  'face fact fair fame fang farm fawn faze feed feel fern file film fire firm fish fist flag flan flat flax flea flue ' +
  'foal foam fold font food foot ford fork form fort fowl frog fuel fuse gage gale gall game gang gaol gasp gate gear'
).split(' ');

/** A random DVC-style experiment name, `adjective-noun`. */
export function randomName(random: () => number = Math.random): string {
  const pick = (xs: readonly string[]) => xs[Math.floor(random() * xs.length)] ?? xs[0] ?? 'exp';
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}`;
}
