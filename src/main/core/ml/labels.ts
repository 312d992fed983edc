// The zero-shot tag vocabulary (CLIP's classifier from prompts): everyday photo labels and prompts.

/** Prompt ensemble: each label's text embedding is the mean of these, as in the CLIP paper. */
export const PROMPTS = [
  'a photo of a {}.',
  'a photo of the {}.',
  'a blurry photo of a {}.',
  'a close-up photo of a {}.',
  'a photo of many {}.',
  'a good photo of a {}.',
  'a bright photo of a {}.',
  'a dark photo of a {}.',
];

const PEOPLE = ['person', 'man', 'woman', 'child', 'baby', 'toddler', 'boy', 'girl', 'teenager', 'elderly person', 'family', 'couple', 'group of friends', 'crowd', 'selfie', 'portrait', 'bride', 'groom', 'athlete', 'musician'];
const ANIMALS = ['dog', 'puppy', 'cat', 'kitten', 'horse', 'cow', 'sheep', 'goat', 'pig', 'chicken', 'duck', 'goose', 'bird', 'parrot', 'owl', 'eagle', 'seagull', 'pigeon', 'swan', 'fish', 'shark', 'dolphin', 'whale', 'turtle', 'frog', 'snake', 'lizard', 'rabbit', 'hamster', 'squirrel', 'deer', 'fox', 'wolf', 'bear', 'lion', 'tiger', 'elephant', 'giraffe', 'zebra', 'monkey', 'camel', 'butterfly', 'bee', 'spider', 'insect', 'jellyfish', 'crab', 'penguin', 'flamingo', 'peacock'];
const FOOD = ['food', 'meal', 'breakfast', 'pizza', 'burger', 'sandwich', 'salad', 'soup', 'pasta', 'sushi', 'noodles', 'rice', 'bread', 'cake', 'birthday cake', 'cookies', 'ice cream', 'chocolate', 'fruit', 'apple', 'banana', 'orange', 'strawberries', 'grapes', 'vegetables', 'cheese', 'eggs', 'steak', 'barbecue', 'coffee', 'tea', 'wine', 'beer', 'cocktail', 'juice', 'dessert'];
const OBJECTS = ['car', 'truck', 'bus', 'train', 'tram', 'bicycle', 'motorcycle', 'scooter', 'airplane', 'helicopter', 'boat', 'sailboat', 'ship', 'kayak', 'tractor', 'book', 'laptop', 'computer', 'phone', 'camera', 'television', 'guitar', 'piano', 'drum', 'violin', 'ball', 'soccer ball', 'basketball', 'tennis racket', 'skateboard', 'surfboard', 'skis', 'snowboard', 'umbrella', 'backpack', 'suitcase', 'handbag', 'hat', 'sunglasses', 'shoes', 'dress', 'suit', 'chair', 'sofa', 'bed', 'table', 'lamp', 'clock', 'vase', 'flowers', 'bouquet', 'candle', 'balloon', 'gift', 'toy', 'teddy bear', 'doll', 'kite', 'tent', 'flag', 'painting', 'sculpture', 'statue', 'sign', 'map', 'document', 'screenshot', 'receipt', 'whiteboard', 'bottle', 'cup', 'plate', 'knife', 'car interior'];
const PLACES = ['beach', 'ocean', 'sea', 'lake', 'river', 'waterfall', 'pond', 'island', 'harbor', 'pier', 'mountain', 'hill', 'valley', 'canyon', 'cliff', 'cave', 'volcano', 'desert', 'sand dunes', 'forest', 'jungle', 'woods', 'meadow', 'field', 'farm', 'vineyard', 'garden', 'park', 'playground', 'backyard', 'countryside', 'glacier', 'snowy landscape', 'city', 'street', 'alley', 'road', 'highway', 'bridge', 'tunnel', 'skyline', 'skyscraper', 'building', 'house', 'apartment', 'cabin', 'castle', 'palace', 'church', 'cathedral', 'temple', 'mosque', 'tower', 'lighthouse', 'ruins', 'monument', 'museum', 'library', 'school', 'classroom', 'office', 'kitchen', 'living room', 'bedroom', 'bathroom', 'dining room', 'restaurant', 'cafe', 'bar', 'market', 'shop', 'supermarket', 'mall', 'airport', 'train station', 'subway', 'parking lot', 'stadium', 'gym', 'swimming pool', 'zoo', 'aquarium', 'amusement park', 'campsite', 'hotel room', 'hospital', 'concert hall', 'stage', 'rooftop', 'balcony', 'window', 'staircase', 'garage', 'construction site', 'port'];
const EVENTS = ['wedding', 'birthday party', 'party', 'concert', 'festival', 'parade', 'graduation', 'christmas', 'christmas tree', 'halloween', 'easter', 'new year fireworks', 'fireworks', 'picnic', 'barbecue party', 'camping', 'hiking', 'road trip', 'vacation', 'holiday', 'dinner party', 'family gathering', 'baby shower', 'funeral', 'sports game', 'football match', 'marathon', 'race', 'protest', 'conference', 'meeting', 'ceremony', 'dance', 'performance', 'exhibition', 'school play', 'sleepover'];
const ACTIVITIES = ['swimming', 'surfing', 'skiing', 'snowboarding', 'skating', 'cycling', 'running', 'climbing', 'fishing', 'sailing', 'diving', 'snorkeling', 'playing', 'reading', 'cooking', 'eating', 'drinking', 'sleeping', 'dancing', 'singing', 'painting a picture', 'gardening', 'shopping', 'working', 'studying', 'walking the dog', 'playing soccer', 'playing basketball', 'playing tennis', 'playing golf', 'yoga', 'horse riding', 'jumping'];
const WEATHER = ['sunny day', 'cloudy sky', 'overcast sky', 'rain', 'storm', 'lightning', 'snow', 'snowfall', 'fog', 'mist', 'rainbow', 'wind', 'frost', 'ice', 'clear blue sky', 'dramatic clouds'];
const TIMES = ['sunrise', 'sunset', 'dusk', 'dawn', 'golden hour', 'night', 'night sky', 'stars', 'moon', 'milky way', 'daytime', 'evening', 'city at night', 'autumn', 'autumn leaves', 'spring blossoms', 'summer', 'winter'];
const STYLES = ['black and white photo', 'selfie with friends', 'aerial view', 'underwater', 'close-up', 'landscape', 'panorama', 'macro', 'silhouette', 'reflection', 'long exposure', 'old photo', 'drawing', 'cartoon', 'text', 'meme', 'collage'];

/** Label lists by category, for docs and pickers. */
export const LABEL_GROUPS: Record<string, readonly string[]> = {
  people: PEOPLE,
  animals: ANIMALS,
  food: FOOD,
  objects: OBJECTS,
  places: PLACES,
  events: EVENTS,
  activities: ACTIVITIES,
  weather: WEATHER,
  'times of day and seasons': TIMES,
  styles: STYLES,
};

/** Every label once, in group order. */
export const LABELS: readonly string[] = [...new Set(Object.values(LABEL_GROUPS).flat())];

export function promptsFor(label: string): string[] {
  return PROMPTS.map((p) => p.replace('{}', label));
}
