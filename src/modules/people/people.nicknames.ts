/**
 * Given names that are the same name to a person reading a record: diminutives and nicknames
 * (William, Will, Bill, Liam) and spellings of one name across languages and transliterations
 * (Mohammed, Muhammad; Aleksandr, Alexander). Each line is one group; a name may be in several groups.
 * The matcher treats two names in a common group as a "nickname or variant" agreement, a level of its
 * own whose weight is estimated from the data like every other level.
 *
 * No maintained npm package carries such a table, so it is kept here, small and readable. Add to it
 * freely: a wrong entry only makes a weaker agreement level, never a link on its own.
 */
const GROUPS = `
abigail abbie abby abi gail
alexander alex alec alastair alasdair alistair aleksandr aleksander alexandre alessandro alejandro sasha sandy xander lex
alexandra alex alexa lexi sandra sasha sandy alessandra aleksandra
alfred alf alfie fred freddie
andrew andy drew andreas andrei andrey andres andre
angela angie angelina
ann anne anna annie hannah anya anja ana
anthony tony antonio anton antoni
archibald archie
barbara barb babs
benjamin ben benny benji
bethany beth
caroline carol carrie caroline charlotte lottie lotte
catherine katherine kathryn katharine kate katie kathy cathy kat kitty caitlin kaitlyn ekaterina yekaterina katya
charles charlie chas chuck carl karl carlos
christina christine chris chrissy kirsty kristina kristin tina
christopher chris kit topher kristof krzysztof christoph
daniel dan danny dani
david dave davey dafydd dawid davide
deborah debbie debs
dominic dom
donald don donny
dorothy dot dolly dottie
edward ed eddie ted teddy ned eduardo edouard
eleanor elinor ellie nell nellie elena helena
elizabeth liz lizzie lizzy beth betty bet bess bessie eliza elisabeth elsie libby lisa isabel isabella izzy elisabetta elzbieta
emily em emmy emilia
emma em emmie
frances fran frankie francesca
francis frank frankie francisco francesco franz
frederick fred freddie freddy fritz
gabriel gabe gabby gavriel
gabrielle gabriella gabby gabi
george georgie jorge georg georgios giorgio yuri
hannah anna
harold harry hal
harry harold henry hal
henry harry hank hal enrique henri heinrich
isaac ike izaak yitzhak
isabel isabella isabelle izzy bella belle isobel ysabel
jacob jake jakob jacques yakov kuba
james jim jimmy jamie jay diego jaime
jane janey jenny janet jean joan jana
jennifer jen jenny jenna
jessica jess jessie
john jon johnny jack ian iain sean shaun shawn evan juan giovanni johann johannes jan ivan ioan hans
jonathan jon jonny nathan
joseph joe joey jose giuseppe josef jozef yusuf yousef youssef
josephine jo josie
joshua josh
katherine kate katie kathy kat
kenneth ken kenny
lawrence laurence larry laurie lorenzo
leonard leo len lenny leon
lewis louis lou luis luigi ludwig
louise lou louisa lulu luisa
margaret maggie meg megan peggy marge margo greta gretchen marjorie daisy rita
mary maria marie molly polly mae mia maryam miriam mariam marija
matthew matt matty mathew matteo mateo matthias mateusz
michael mike mikey mick micky mickey michel miguel mikhail mihail michal
mohammed muhammad mohammad mohamed mohamad muhammed mohd mahomed mehmet mehmed
natalie nat natalia natasha
nathaniel nathan nat nate
nicholas nick nicky nico nicolas nikolai nikolaos klaus niall
olivia liv livvy olive
patricia pat patty trish tricia
patrick pat paddy paddie padraig
peter pete pedro pierre pietro piotr pyotr
philip phil pip felipe filip phillip
rebecca becky becca
richard rich rick ricky dick rikki ricardo riccardo
robert rob robbie bob bobby bert rab roberto
ronald ron ronnie
samantha sam sammy
samuel sam sammy
sarah sara sally sadie zara
sophia sophie sofia sofiya zofia
stephen steven steve stevie stefan esteban stephan stepan
susan sue susie suzanne susanna suzy
theodore theo ted teddy
thomas tom tommy thom tomas tomasz toma
timothy tim timmy
victoria vicky vicki tori
vincent vince vinny vincenzo
william will willie willy bill billy liam wil guillermo wilhelm
zachary zach zack zak
`;

const groupsByName = new Map<string, number[]>();
GROUPS.trim()
  .split('\n')
  .forEach((line, group) => {
    for (const name of line.trim().split(/\s+/)) {
      const list = groupsByName.get(name) ?? [];
      if (!list.includes(group)) list.push(group);
      groupsByName.set(name, list);
    }
  });

const NONE: readonly number[] = [];

/** The groups a (normalised, lower-case) given name belongs to; empty when none. */
export function variantGroups(name: string): readonly number[] {
  return groupsByName.get(name) ?? NONE;
}

/** Whether two records' variant groups (variantGroups) meet. */
export function groupsMeet(a: readonly number[], b: readonly number[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  for (const g of a) if (b.includes(g)) return true;
  return false;
}

/** Whether two (normalised, lower-case) given names are nicknames or variants of one name. */
export function areNameVariants(a: string, b: string): boolean {
  if (a === b) return true;
  const ga = groupsByName.get(a);
  const gb = groupsByName.get(b);
  if (!ga || !gb) return false;
  return ga.some((g) => gb.includes(g));
}
