"""Template context of the demo site: the main menu (the home page's live children shown in
menus), one query a request."""

from wagtail.models import Site


def site_menu(request):
    site = Site.find_for_request(request)
    if site is None:
        return {"site_menu": []}
    return {"site_menu": site.root_page.get_children().live().in_menu()}
